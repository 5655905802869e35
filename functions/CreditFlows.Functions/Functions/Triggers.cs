using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Documents;
using CreditFlows.Functions.Features.Heartbeat;
using CreditFlows.Functions.Features.Notifications;
using CreditFlows.Functions.Features.Npl;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Features.Workflow;
using CreditFlows.Functions.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Azure.Functions.Worker;

namespace CreditFlows.Functions.Functions;

/// <summary>
/// The timer and queue functions, one line each: the trigger (schedules are NCRONTAB in UTC; <c>%Name%</c> is an app
/// setting), then the handler class that does the work. Under the Functions host these run as they are; in the embedded
/// default the local runner reads the same triggers (<see cref="FunctionCatalog"/>) and calls the same handlers.
/// </summary>
public sealed class Triggers
{
    [Function(HeartbeatFunction.Name)]
    public Task Heartbeat([TimerTrigger("0 */5 * * * *", UseMonitor = true)] TimerInfo timer, FunctionContext context) => context.RunTimerAsync<HeartbeatFunction>(timer);

    [Function(NplDailyMonitorFunction.Name)]
    public Task NplDailyMonitor([TimerTrigger("%Npl__Schedule%", UseMonitor = true)] TimerInfo timer, FunctionContext context) => context.RunTimerAsync<NplDailyMonitorFunction>(timer);

    [Function(NplPrepareDayFunction.Name)]
    public Task NplPrepareDay([QueueTrigger("%Npl__DayQueue%")] string message, long dequeueCount, FunctionContext context) => context.RunQueueAsync<NplPrepareDayFunction>(message, dequeueCount);

    [Function(NplShardFunction.Name)]
    public Task NplShard([QueueTrigger("%Npl__ShardQueue%")] string message, long dequeueCount, FunctionContext context) => context.RunQueueAsync<NplShardFunction>(message, dequeueCount);

    [Function(NplWeeklyReportFunction.Name)]
    public Task NplWeeklyReport([TimerTrigger("%Reports__Schedule%", UseMonitor = true)] TimerInfo timer, FunctionContext context) => context.RunTimerAsync<NplWeeklyReportFunction>(timer);

    [Function(CreditFileSweepFunction.Name)]
    public Task CreditFileSweep([TimerTrigger("0 30 19 * * *", UseMonitor = true)] TimerInfo timer, FunctionContext context) => context.RunTimerAsync<CreditFileSweepFunction>(timer);

    [Function(SendNotificationFunction.Name)]
    public Task SendNotification([QueueTrigger("notifications")] string message, long dequeueCount, FunctionContext context) => context.RunQueueAsync<SendNotificationFunction>(message, dequeueCount);

    [Function(WorkflowReconcileFunction.Name)]
    public Task WorkflowReconcile([TimerTrigger("0 */5 * * * *", UseMonitor = true)] TimerInfo timer, [DurableClient] DurableTaskClient durable, FunctionContext context)
    {
        context.InstanceServices.GetRequiredService<InvocationDurableClient>().Client = durable;
        return context.RunTimerAsync<WorkflowReconcileFunction>(timer);
    }

    // The heartbeat's queue round trip still goes through the outbox (the loan workflow no longer does).
    [Function(OutboxDispatchFunction.Name)]
    public Task OutboxDispatch([QueueTrigger("outbox")] string message, long dequeueCount, FunctionContext context) => context.RunQueueAsync<LegacyQueueFunction<OutboxDispatchFunction>>(message, dequeueCount);
}
