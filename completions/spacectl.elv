
set edit:completion:arg-completer[spacectl] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) _SPACECTL_COMPLETE="elvish" spacectl -- $@words) | to-lines
}

