"""The enforcement certificate's life (执法证): provincial rules as data, qualification, the annual review (年审), suspension, revocation, cancellation."""
