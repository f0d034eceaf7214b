"""citebot's front ends: the CLI, the REPL and the Discord bot.

Each one builds a :class:`retrieval.Engine`, calls ``engine.ask`` and renders the ``Answer``;
rendering is pure (text in, text out) so it is tested without a terminal or a network.
"""
