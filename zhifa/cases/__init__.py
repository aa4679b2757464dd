"""The case library (案例) and simulated enforcement drills (模拟执法演练): Case, Scenario, DrillRun."""
