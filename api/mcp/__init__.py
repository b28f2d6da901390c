"""The Model Context Protocol server: the API's own bounded, read-only answers as tools an AI
assistant can call, over stdio (`connects mcp`) and streamable HTTP (mounted at `/mcp`).

`server.py` builds it; `tools.py`, `resources.py` and `prompts.py` are what it offers;
`reads.py` is how the tools reach the graph (the handles the routes get) and `refusals.py` how
errors are said; `http.py` mounts it in the API and `stdio.py` serves it to a local assistant.
"""
