# Builds a static kmm-operator binary from vendor/ (no network needed in the build stage) and
# ships it alone on a distroless, non-root base.
#
#   docker build -t kmm-operator:dev .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY vendor/ vendor/
COPY cmd/ cmd/
COPY pkg/ pkg/
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux GOFLAGS=-mod=vendor \
    go build -trimpath \
      -ldflags "-s -w -X github.com/kmm-operator/kmm-operator/pkg/version.Version=${VERSION}" \
      -o /out/kmm-operator ./cmd/kmm-operator

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kmm-operator /kmm-operator
USER 65532:65532
ENTRYPOINT ["/kmm-operator"]
