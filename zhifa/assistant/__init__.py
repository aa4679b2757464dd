"""The law assistant: answers only from the law library, with citations."""
