// Builds the project's images without a container engine (cmd/kmm-images, run by hack/images.sh).
// Its own module, out of the operator's vendored graph; not vendored.
module github.com/kmm-operator/kmm-operator/hack/tools/images

go 1.26.0

require github.com/google/go-containerregistry v0.22.1

require (
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/opencontainers/image-spec v1.1.1 // indirect
)
