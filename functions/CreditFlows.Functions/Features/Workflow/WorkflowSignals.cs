using CreditFlows.Functions.Hosting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Features.Workflow;

/// <summary>The orchestration as <c>GET /api/applications/{id}</c> shows it: its runtime status, how far it has applied the log, its next timer.</summary>
public sealed record OrchestrationView(string InstanceId, string RuntimeStatus, int? Applied, DateTimeOffset? NextTimerAt);

/// <summary>
/// Tells an application's orchestration that its log moved on, or starts it. Called after a command is stored
/// and before it is answered; a failure here loses nothing (the command is stored, and the orchestration reads
/// the log, not the event): it is logged, and the next command, an Idempotency-Key retry, or
/// <see cref="WorkflowReconciler"/> wakes the orchestration instead.
/// </summary>
public sealed partial class WorkflowSignals(IServiceProvider services, IHttpContextAccessor http, ILogger<WorkflowSignals> logger)
{
    /// <summary>
    /// The client: under the Functions host the one the HTTP trigger's <c>[DurableClient]</c> binding gave
    /// (<see cref="DurableClientFeature"/>), in the embedded default the one registered in DI.
    /// </summary>
    /// <summary>Set by the tests that stand for a process stopping between a command's write and its signal.</summary>
    internal bool Muted { get; set; }

    public DurableTaskClient? Client(DurableTaskClient? given = null) =>
        given ?? http.HttpContext?.Features.Get<DurableClientFeature>()?.Client ?? services.GetService<DurableTaskClient>();

    public Task StartedAsync(string applicationId, CancellationToken cancellationToken) =>
        QuietlyAsync(applicationId, client => StartAsync(client, applicationId, cancellationToken));

    public Task ChangedAsync(string applicationId, int version, CancellationToken cancellationToken) =>
        QuietlyAsync(applicationId, client => client.RaiseEventAsync(LoanWorkflow.InstanceId(applicationId), LoanWorkflow.ChangedEvent, new LoanChanged(version), cancellationToken));

    /// <summary>
    /// The orchestration's runtime status beside the application's state (null when the engine cannot be asked
    /// now: the application's own answer does not depend on it).
    /// </summary>
    public async Task<OrchestrationView?> StatusAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (Client() is not { } client)
        {
            return null;
        }

        try
        {
            var instanceId = LoanWorkflow.InstanceId(applicationId);
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
            if (instance is null)
            {
                return new OrchestrationView(instanceId, "NotStarted", null, null);
            }

            var status = instance.SerializedCustomStatus is { Length: > 0 } json
                ? System.Text.Json.JsonSerializer.Deserialize<LoanWorkflowStatus>(json, Applications.ApplicationStore.Json)
                : null;
            return new OrchestrationView(instanceId, instance.RuntimeStatus.ToString(), status?.Applied, status?.NextTimerAt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogStatusFailed(logger, applicationId, ex);
            return null;
        }
    }

    /// <summary>Starts the orchestration unless it exists already (then it is only woken).</summary>
    public static async Task StartAsync(DurableTaskClient client, string applicationId, CancellationToken cancellationToken)
    {
        var instanceId = LoanWorkflow.InstanceId(applicationId);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(LoanWorkflow.Name, new LoanWorkflowInput(applicationId),
                new StartOrchestrationOptions(instanceId) { Version = LoanWorkflow.Version }, cancellationToken);
        }
        catch (Exception ex) when (IsAlreadyExists(ex))
        {
            await client.RaiseEventAsync(instanceId, LoanWorkflow.ChangedEvent, new LoanChanged(0), cancellationToken);
        }
    }

    private static bool IsAlreadyExists(Exception ex) =>
        ex is InvalidOperationException || ex.GetType().Name.Contains("AlreadyExists", StringComparison.Ordinal)
        || (ex is Grpc.Core.RpcException rpc && rpc.StatusCode == Grpc.Core.StatusCode.AlreadyExists);

    private async Task QuietlyAsync(string applicationId, Func<DurableTaskClient, Task> signal)
    {
        if (Muted)
        {
            return;
        }

        if (Client() is not { } client)
        {
            LogNoClient(logger, applicationId);
            return;
        }

        try
        {
            await signal(client);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSignalFailed(logger, applicationId, ex);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Application {Id}: the orchestration's status could not be read")]
    private static partial void LogStatusFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Application {Id}: no Durable client here; WorkflowReconcile will wake its orchestration")]
    private static partial void LogNoClient(ILogger logger, string id);

    [LoggerMessage(LogLevel.Warning, "Application {Id}: signalling its orchestration failed; WorkflowReconcile will wake it")]
    private static partial void LogSignalFailed(ILogger logger, string id, Exception exception);
}
