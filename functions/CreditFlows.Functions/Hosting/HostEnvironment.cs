using System.Text.RegularExpressions;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// Where the app runs: started by the Azure Functions host as its .NET isolated worker (the host passes the worker's
/// command-line switches), or on its own, as the embedded default that serves the API and fires timers and polls
/// queues through the local runner.
/// </summary>
public static partial class HostEnvironment
{
    /// <summary>
    /// The switches the Functions host starts a worker with: <c>--functions-uri</c>, <c>--functions-worker-id</c> (and the
    /// older <c>--workerId</c>/<c>--host</c>/<c>--port</c> form); see the worker's WorkerHostBuilderExtensions.
    /// </summary>
    public static bool StartedByFunctionsHost(IEnumerable<string> args) =>
        args.Any(a => a.StartsWith("--functions-uri", StringComparison.OrdinalIgnoreCase)
            || a.StartsWith("--functions-worker-id", StringComparison.OrdinalIgnoreCase)
            || a.StartsWith("--workerId", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Resolves <c>%Name%</c> references against app settings, as the Functions host does for binding
    /// properties (schedules, queue names).
    /// </summary>
    public static string ResolveAppSettings(string value, IConfiguration configuration) =>
        SettingReference().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            return configuration[name] ?? configuration[name.Replace("__", ":", StringComparison.Ordinal)]
                ?? throw new InvalidOperationException($"The app setting '{name}' referenced as %{name}% is not set.");
        });

    /// <summary>The host's convention for switching one function off: app setting <c>AzureWebJobs.{name}.Disabled</c>.</summary>
    public static bool IsDisabled(string functionName, IConfiguration configuration) =>
        bool.TryParse(configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"], out var disabled) && disabled;

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
