complete --keep-order --exclusive --command spaceone --arguments "(_SPACECTL_COMPLETE=fish spaceone -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
