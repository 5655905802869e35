using System.ComponentModel.DataAnnotations;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>Settings of the embedded trigger runner (section <c>LocalRunner</c>).</summary>
public sealed class LocalRunnerOptions
{
    public const string Section = "LocalRunner";

    /// <summary>On unless set to false. (Under the Functions host the runner is not part of the app at all.)</summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Names this app's timer status blobs and locks (<c>azure-webjobs-hosts/timers/{HostId}/...</c>), like the
    /// host id of a function app: instances of one app share it; two apps on one storage account must not.
    /// </summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{0,31}$", ErrorMessage = "LocalRunner:HostId must be 1-32 lower-case letters, digits or '-'.")]
    public string HostId { get; set; } = "creditflows";

    /// <summary>The singleton lease on each timer listener; between 15 and 60 seconds (Azure blob lease limits).</summary>
    [Range(typeof(TimeSpan), "00:00:15", "00:01:00", ErrorMessage = "LocalRunner:ListenerLockPeriod must be between 00:00:15 and 00:01:00.")]
    public TimeSpan ListenerLockPeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a message being processed stays invisible to other instances.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MessageLeasePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The shortest pause between polls of an empty queue; doubling up to host.json's maxPollingInterval.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan MinimumPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
