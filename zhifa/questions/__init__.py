"""The question bank (题库): Question, Option, KnowledgePoint; import and export."""
