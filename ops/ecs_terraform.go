package ops

import "fmt"

// flagVariables maps the console's flag names to the gateway's env variables.
var flagVariables = map[string]string{
	"agent_enabled":    "AGENT_ENABLED",
	"ensemble_enabled": "ENSEMBLE_ENABLED",
	"byok_enabled":     "BYOK_ENABLED",
}

// EnforcementVariable is the gateway's pool-claim enforcement variable.
const EnforcementVariable = "AGENT_POOL_CLAIM_ENFORCEMENT"

// terraformHint says how the next terraform apply treats a value changed
// through ECS, per variable (gateway-domain.md 2.5, 7).
func terraformHint(env, variable, value string) string {
	const back = "Terraform: the next `terraform apply` puts the task definition back to its variables; "
	switch variable {
	case "AGENT_ENABLED", "ENSEMBLE_ENABLED":
		return back + fmt.Sprintf("to keep this value, set in environments/%s/terraform.tfvars:  %s = %q", env, tfName(variable), value)
	case "BYOK_ENABLED":
		return back + "WARNING: byok_enabled is a bool that also creates or destroys the BYOK network resources: " +
			"do not change it in terraform.tfvars to match without the infrastructure owner"
	case EnforcementVariable:
		return back + "no Terraform variable exists for AGENT_POOL_CLAIM_ENFORCEMENT: the next apply removes it (the code default reject applies); " +
			"to keep it, add it to the environment of container api in ecs.tf (aws_ecs_task_definition.api)"
	}
	return back + "no hint for " + variable
}

func tfName(variable string) string {
	for flag, v := range flagVariables {
		if v == variable {
			return flag
		}
	}
	return variable
}
