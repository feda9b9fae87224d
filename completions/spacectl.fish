complete --keep-order --exclusive --command spacectl --arguments "(_SPACECTL_COMPLETE=fish spacectl -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
