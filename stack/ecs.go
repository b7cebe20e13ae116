package stack

import (
	"net"
	"net/http"
	"time"

	"gatewayops/gateway/ecsdeploy"
	"gatewayops/gateway/ecslocal"
	"gatewayops/gateway/sim"
)

// demoPEM stands where the real task definition might carry a key in plain
// env: the demo shows it never reaches the screen or the journal.
const demoPEM = "-----BEGIN PRIVATE KEY-----\nDEMO-not-a-real-key-but-treated-as-one\n-----END PRIVATE KEY-----"

// startECS runs the ECS stand-in with the gateway's service at two tasks and
// points the simulated traffic at its running tasks, so a flag rollout or a
// restart changes what the traffic does.
func (st *Stack) startECS(opts Options) error {
	st.ECS = ecslocal.New(ecslocal.Config{Now: opts.ECSNow, Tick: time.Second, StartDelay: opts.ECSStartDelay})
	tgt := ecsdeploy.DefaultTarget(opts.Environment)
	if _, err := st.ECS.CreateService(ecslocal.ServiceSpec{Cluster: tgt.Cluster, Name: tgt.Service, DesiredCount: 2,
		TaskDefinition: ecslocal.GatewayTaskDefinition(opts.Environment, demoPEM)}); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	st.ECSURL = "http://" + ln.Addr().String()
	hs := &http.Server{Handler: st.ECS.Handler(), ReadHeaderTimeout: 5 * time.Second}
	st.goRun(func() { _ = hs.Serve(ln) })
	st.closers = append(st.closers, func() { _ = hs.Close() })
	return nil
}

// gatewayTasks lists the stand-in's running gateway tasks for the simulator.
func (st *Stack) gatewayTasks(env string) sim.TaskSource {
	tgt := ecsdeploy.DefaultTarget(env)
	return func() ([]sim.Task, error) {
		running, err := st.ECS.RunningTasks(tgt.Cluster, tgt.Service, tgt.Container)
		if err != nil {
			return nil, err
		}
		out := make([]sim.Task, len(running))
		for i, r := range running {
			out[i] = sim.Task{ID: r.ARN, Env: r.Env}
		}
		return out, nil
	}
}
