// Command gatewayops is the on-call console for the Arrakis agent gateway.
// Everything it does lives in package cli; main only hands over.
package main

import (
	"os"

	"gatewayops/cli"
)

func main() {
	os.Exit(cli.Main())
}
