from patternlens.cli import main

main()
