using System.ComponentModel.DataAnnotations;

namespace CreditFlows.Functions.Hosting.Durable;

/// <summary>
/// Settings of section <c>DurableTask</c> for the embedded default (under the Functions host, host.json's
/// <c>extensions.durableTask</c> says the same to the Durable extension; the hub name comes from the same setting).
/// </summary>
public sealed class DurableTaskOptions
{
    public const string Section = "DurableTask";

    /// <summary>Whether this process runs orchestrations and activities (embedded default only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The task hub: its tables, queues and lease container on the app's storage are named after it.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$", ErrorMessage = "DurableTask:HubName is 3-45 letters and digits, starting with a letter.")]
    public string HubName { get; set; } = "creditflows";

    /// <summary>Control-queue partitions. One suits a single local process; Azure's default is 4.</summary>
    [Range(1, 16)]
    public int PartitionCount { get; set; } = 1;

    /// <summary>The longest a queue poll backs off when idle; it bounds how late an event is picked up.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a partition lease lasts unrenewed: a process that died holds its partitions this long.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often leases are renewed and free ones looked for.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a work item (an activity, or an orchestration step) a process took stays invisible to others. One taken
    /// by a process that stopped or died before finishing it is run elsewhere after this long (the library's default is
    /// 5 minutes). The loan workflow's activities take milliseconds and are idempotent, so a short value costs nothing.
    /// </summary>
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping process lets running work finish before it gives up its partitions.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
