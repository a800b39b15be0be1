package main

// encountersSnippets call the encounters client for each operation of openapi/encounters.yaml.
var encountersSnippets = map[string]snippet{}
