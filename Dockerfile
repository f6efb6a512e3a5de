# Builds the project's two images from vendor/ (no network needed in the build stages):
#
#   docker build -t kmm-operator:dev .                        # the operator (the default, last stage)
#   docker build --target kmm-mirror -t kmm-mirror:dev .      # the mirror, for spec.image of a KafkaMirrorMaker
#
# Both are static binaries on a distroless base with no shell.
#
# `make images` (hack/images.sh) builds the same images without a container engine, as
# docker-archive tarballs in .local/images/ for `ctr -n k8s.io images import` (named
# kmm.local/kmm-operator:<version> and kmm.local/kmm-mirror:<version>), from the table in
# hack/tools/images/imagebuild/spec.go; keep the two in step. They differ from these in the base:
# instead of distroless, only the files the binaries use (a minimal /etc/passwd and /etc/group, with
# Strimzi's kafka user 1001 in the mirror's, and /tmp), so no CA certificates, SSL_CERT_FILE, tzdata
# or home directories, and the operator's working directory is / instead of /home/nonroot.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY vendor/ vendor/
COPY cmd/ cmd/
COPY pkg/ pkg/
ARG VERSION=dev
ENV CGO_ENABLED=0 GOOS=linux GOFLAGS=-mod=vendor
RUN go build -trimpath \
      -ldflags "-s -w -X github.com/kmm-operator/kmm-operator/pkg/version.Version=${VERSION}" \
      -o /out/kmm-operator ./cmd/kmm-operator
# kmm-mirror keeps the layout of Strimzi's image that the operator's Deployment relies on: the
# binary under /opt/kafka, linked as the two scripts the Deployment runs, and as `test` on PATH
# for the readiness probe (`test -f /tmp/mirror-maker-ready`).
RUN go build -trimpath \
      -ldflags "-s -w -X github.com/kmm-operator/kmm-operator/pkg/version.Version=${VERSION}" \
      -o /out/mirror/opt/kafka/kmm-mirror ./cmd/kmm-mirror && \
    ln -s kmm-mirror /out/mirror/opt/kafka/kafka_mirror_maker_run.sh && \
    ln -s kmm-mirror /out/mirror/opt/kafka/kafka_mirror_maker_liveness.sh && \
    mkdir -p /out/mirror/usr/local/bin && \
    ln -s /opt/kafka/kmm-mirror /out/mirror/usr/local/bin/test

# The mirror runs as any UID (Strimzi's image uses 1001, group 0) with only /tmp writable (the
# operator mounts a 5 MiB memory emptyDir there).
FROM gcr.io/distroless/static-debian12 AS kmm-mirror
COPY --from=build /out/mirror/ /
ENV KAFKA_HOME=/opt/kafka
WORKDIR /opt/kafka
USER 1001:0

FROM gcr.io/distroless/static-debian12:nonroot AS kmm-operator
COPY --from=build /out/kmm-operator /kmm-operator
USER 65532:65532
ENTRYPOINT ["/kmm-operator"]
