"""iWmo / iJw 3.2 messages: what they are, how to validate, parse and (for demos) write them."""
