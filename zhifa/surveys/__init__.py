"""Public satisfaction surveys by QR code (群众满意度调查): signed tokens, the anonymous page, moderation, results."""
