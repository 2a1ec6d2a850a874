module github.com/flyteplugin/compat/load

go 1.26.0

require (
	github.com/flyteorg/flyte/flyteidl v1.16.8
	google.golang.org/grpc v1.80.0
)

require (
	github.com/grpc-ecosystem/grpc-gateway/v2 v2.28.0 // indirect
	golang.org/x/net v0.54.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
	golang.org/x/text v0.37.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20260401024825-9d38bb4040a9 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260401024825-9d38bb4040a9 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

// flyteidl's own go.mod points at its monorepo siblings with local replace lines that a consumer
// does not inherit: pin them to the same release.
replace github.com/flyteorg/flyte/flytestdlib => github.com/flyteorg/flyte/flytestdlib v1.16.8
