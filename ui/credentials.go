package ui

import "gatewayops/internal/awshint"

// explainExpired rewrites a backend error that says the AWS credentials
// expired into what `gatewayops doctor` says: the command that renews
// them. The data stays on screen, marked stale, as for any failing backend.
// (No ": " in the text: the header shows the last part of an error chain.)
func explainExpired(snap *Snapshot, profile string) {
	for i, h := range snap.Health {
		if h.LastError != "" && awshint.ExpiredText(h.LastError) {
			snap.Health[i].LastError = "credentials expired, " + awshint.Renew(profile)
		}
	}
}
