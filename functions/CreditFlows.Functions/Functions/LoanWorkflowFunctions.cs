using CreditFlows.Functions.Features.Workflow;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CreditFlows.Functions.Functions;

/// <summary>
/// The loan workflow under the Functions host: the orchestrator and its activities, one line each, running the same
/// classes the embedded engine registers (<see cref="LoanWorkflowRegistry"/>). Class-based registration would need
/// Microsoft.DurableTask.Generators, which the package feed does not serve.
/// </summary>
public sealed class LoanWorkflowFunctions
{
    [Function(LoanWorkflow.Name)]
    public Task<string> RunLoanWorkflow([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LoanWorkflow().RunAsync(context, context.GetInput<LoanWorkflowInput>()!);

    [Function(LoanActivities.ReadEvents)]
    public Task<LoanEventBatch> LoanReadEvents([ActivityTrigger] ReadEventsInput input, FunctionContext context) =>
        context.RunActivityAsync<LoanReadEventsActivity, ReadEventsInput, LoanEventBatch>(LoanActivities.ReadEvents, input);

    [Function(LoanActivities.SendMail)]
    public Task<string> LoanSendMail([ActivityTrigger] SendMailInput input, FunctionContext context) =>
        context.RunActivityAsync<LoanSendMailActivity, SendMailInput, string>(LoanActivities.SendMail, input);

    [Function(LoanActivities.HandOff)]
    public Task<string> LoanHandOff([ActivityTrigger] HandOffInput input, FunctionContext context) =>
        context.RunActivityAsync<LoanHandOffActivity, HandOffInput, string>(LoanActivities.HandOff, input);

    [Function(LoanActivities.FireTimer)]
    public Task<string> LoanFireTimer([ActivityTrigger] FireTimerInput input, FunctionContext context) =>
        context.RunActivityAsync<LoanFireTimerActivity, FireTimerInput, string>(LoanActivities.FireTimer, input);
}

/// <summary>Runs a class-based activity from an <c>[ActivityTrigger]</c> function, its dependencies from the invocation's services.</summary>
public static class ActivityFunctions
{
    public static Task<TOutput> RunActivityAsync<TActivity, TInput, TOutput>(this FunctionContext context, string name, TInput input)
        where TActivity : TaskActivity<TInput, TOutput> =>
        ActivatorUtilities.CreateInstance<TActivity>(context.InstanceServices).RunAsync(new FunctionActivityContext(name, context.InvocationId), input);

    private sealed class FunctionActivityContext(string name, string invocationId) : TaskActivityContext
    {
        public override TaskName Name => name;

        public override string InstanceId => invocationId;
    }
}
