module github.com/geowarden/geowarden

go 1.26
