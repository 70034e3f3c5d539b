"""The built-in pathway plugins: one module per pathway of BAB III, each registered exactly like a
third-party plugin (``plugins.manager.BUILTIN_PLUGINS``)."""
