"""The member assistant: the chatbot."""
