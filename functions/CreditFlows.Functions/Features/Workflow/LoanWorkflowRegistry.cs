using Microsoft.DurableTask;

namespace CreditFlows.Functions.Features.Workflow;

/// <summary>The loan workflow's orchestrator and activities under their function names (the embedded engine's registry).</summary>
public static class LoanWorkflowRegistry
{
    public static void Register(DurableTaskRegistry registry) => registry
        .AddOrchestrator<LoanWorkflow>(LoanWorkflow.Name)
        .AddActivity<LoanReadEventsActivity>(LoanActivities.ReadEvents)
        .AddActivity<LoanSendMailActivity>(LoanActivities.SendMail)
        .AddActivity<LoanHandOffActivity>(LoanActivities.HandOff)
        .AddActivity<LoanFireTimerActivity>(LoanActivities.FireTimer);
}
