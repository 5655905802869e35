using Microsoft.DurableTask;

namespace CreditFlows.Functions.Features.Workflow;

/// <summary>
/// The loan workflow's orchestrator and activities under their function names: what the embedded engine registers,
/// and what the <c>[Function]</c> wrappers (Functions/LoanWorkflowFunctions.cs) must match, which a test checks.
/// </summary>
public static class LoanWorkflowRegistry
{
    public static IReadOnlyList<(string Name, Type Type)> Orchestrators { get; } = [(LoanWorkflow.Name, typeof(LoanWorkflow))];

    public static IReadOnlyList<(string Name, Type Type)> Activities { get; } =
    [
        (LoanActivities.ReadEvents, typeof(LoanReadEventsActivity)),
        (LoanActivities.SendMail, typeof(LoanSendMailActivity)),
        (LoanActivities.HandOff, typeof(LoanHandOffActivity)),
        (LoanActivities.FireTimer, typeof(LoanFireTimerActivity)),
    ];

    public static void Register(DurableTaskRegistry registry)
    {
        foreach (var (name, type) in Orchestrators)
        {
            registry.AddOrchestrator(name, type);
        }

        foreach (var (name, type) in Activities)
        {
            registry.AddActivity(name, type);
        }
    }
}
