// Command buildimage turns a static gatewayops binary into an OCI image
// layout and archive (what `make image` calls). It needs no container daemon
// and pulls nothing: the image has no base.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"time"

	"gatewayops/deploy/image"
)

// defaultPort is the admin server's port inside the container; the
// Terraform module's containerPort and --listen use the same number (its
// test checks that).
const defaultPort = 8089

type options struct {
	binary, ca, version, commit, arch, layoutDir, archive string
	epoch                                                 int64
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "buildimage: %v\n", err)
		return 2
	}
	digest, err := build(o)
	if err != nil {
		fmt.Fprintf(stderr, "buildimage: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "image %s\nlayout %s\narchive %s\ndigest %s\n", image.RefName(o.version), o.layoutDir, o.archive, digest)
	return 0
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("buildimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.binary, "binary", "", "the static gatewayops binary (required)")
	fs.StringVar(&o.ca, "ca", "/etc/ssl/certs/ca-certificates.crt", "PEM CA bundle to install")
	fs.StringVar(&o.version, "version", "", "version label (required)")
	fs.StringVar(&o.commit, "commit", "", "source revision label (required)")
	fs.StringVar(&o.arch, "arch", runtime.GOARCH, "GOARCH the binary was built for")
	fs.StringVar(&o.layoutDir, "layout", "bin/image/oci", "OCI layout directory to (re)write")
	fs.StringVar(&o.archive, "archive", "bin/image/gatewayops-oci.tar", "OCI archive to write")
	fs.Int64Var(&o.epoch, "epoch", -1, "creation time, Unix seconds (default $SOURCE_DATE_EPOCH, else 0)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.epoch == -1 {
		n, err := envEpoch()
		if err != nil {
			return o, err
		}
		o.epoch = n
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.binary == "":
		return o, errors.New("--binary is required")
	case o.epoch < 0:
		return o, fmt.Errorf("--epoch %d: must not be negative", o.epoch)
	}
	return o, nil
}

// envEpoch reads SOURCE_DATE_EPOCH, the reproducible-builds convention.
func envEpoch() (int64, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
	}
	return n, nil
}

func build(o options) (string, error) {
	bin, err := os.ReadFile(o.binary)
	if err != nil {
		return "", err
	}
	ca, err := os.ReadFile(o.ca)
	if err != nil {
		return "", fmt.Errorf("CA bundle: %w (install ca-certificates)", err)
	}
	created := time.Unix(o.epoch, 0).UTC()
	cfg := image.Config{
		Binary: bin, CABundle: ca, Version: o.version, Commit: o.commit, Created: created, Arch: o.arch,
		Entrypoint: []string{image.BinaryPath, "admin-server"},
		Cmd:        []string{"--listen", fmt.Sprintf(":%d", defaultPort)},
		Port:       defaultPort,
	}
	img, err := image.Build(cfg)
	if err != nil {
		return "", err
	}
	digest, err := image.WriteLayout(o.layoutDir, img, image.RefName(o.version), image.Labels(cfg, created))
	if err != nil {
		return "", err
	}
	if err := image.WriteArchive(o.layoutDir, o.archive, created); err != nil {
		return "", err
	}
	return digest.String(), nil
}
