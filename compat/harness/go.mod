module github.com/flyteplugin/compat/harness

go 1.26.0
