using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Features.Workflow;

/// <summary>The Durable client a timer's <c>[DurableClient]</c> binding gave this invocation (unset in the embedded default).</summary>
public sealed class InvocationDurableClient
{
    public DurableTaskClient? Client { get; set; }
}

/// <summary>
/// Timer function <c>WorkflowReconcile</c> (every 5 minutes): the safety net under the command → event path. For each
/// application changed within <c>Workflow:ReconcileWindow</c> (default a day), it starts the orchestration when there
/// is none (the process stopped between opening and starting it, or the application predates the orchestrations) and
/// wakes one that has not applied the application's latest version (a lost <c>changed</c> event). Waking is
/// harmless: the orchestration reads the log. An occurrence without a schedule record (the first run after the
/// deployment that introduced the orchestrations, or a run-now) looks at every application.
/// </summary>
public sealed partial class WorkflowReconcileFunction(
    TableServiceClient tables,
    WorkflowSignals signals,
    InvocationDurableClient invocation,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<WorkflowReconcileFunction> logger) : ITimerFunction
{
    public const string Name = "WorkflowReconcile";

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(1);

    public Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken) =>
        ReconcileAsync(timer.ScheduleStatus is { Last: var last } && last != default ? configuration.GetValue("Workflow:ReconcileWindow", DefaultWindow) : null, cancellationToken);

    public async Task<InvocationResult> ReconcileAsync(TimeSpan? window, CancellationToken cancellationToken)
    {
        var client = signals.Client(invocation.Client) ?? throw new InvalidOperationException("No Durable client: the workflow engine is not running here.");
        var filter = TableClient.CreateQueryFilter($"RowKey eq {ApplicationStore.StateRow}");
        if (window is { } w)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Timestamp ge {time.GetUtcNow() - w}");
        }

        int looked = 0, started = 0, woken = 0;
        var table = tables.GetTableClient(StorageNames.Tables.Applications);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Version", "State"], cancellationToken: cancellationToken))
        {
            looked++;
            var id = row.PartitionKey;
            var version = row.GetInt32("Version") ?? 0;
            var instance = await client.GetInstanceAsync(LoanWorkflow.InstanceId(id), getInputsAndOutputs: true, cancellationToken);
            if (instance is null)
            {
                if (Enum.TryParse<ApplicationState>(row.GetString("State"), out var state) && state.IsTerminal() && state != ApplicationState.Disbursed)
                {
                    continue; // closed before the orchestrations existed: nothing left to do
                }

                await WorkflowSignals.StartAsync(client, id, cancellationToken);
                started++;
                continue;
            }

            if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending
                && instance.SerializedCustomStatus is { Length: > 0 } json
                && System.Text.Json.JsonSerializer.Deserialize<LoanWorkflowStatus>(json, ApplicationStore.Json)?.Applied < version)
            {
                await client.RaiseEventAsync(instance.InstanceId, LoanWorkflow.ChangedEvent, new LoanChanged(version), cancellationToken);
                woken++;
            }
            else if (instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated)
            {
                LogStopped(logger, id, instance.RuntimeStatus.ToString());
            }
        }

        var result = InvocationResult.Empty().Log($"Looked at {looked} application(s): {started} orchestration(s) started, {woken} woken.");
        result.ReturnValue = new { looked, started, woken };
        return result;
    }

    [LoggerMessage(LogLevel.Error, "Application {Id}: its orchestration is {Status}; it needs a person (purge it and run WorkflowReconcile to start it again)")]
    private static partial void LogStopped(ILogger logger, string id, string status);
}
