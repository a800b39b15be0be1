package main

// epilotSnippets call the epilot client for each operation of openapi/epilot.yaml.
var epilotSnippets = map[string]snippet{}
