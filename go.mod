module github.com/geowarden/geowarden

go 1.26

require (
	github.com/tidwall/geoindex v1.7.0 // indirect
	github.com/tidwall/rtree v1.10.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
