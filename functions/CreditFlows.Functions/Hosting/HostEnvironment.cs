using System.Text.RegularExpressions;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// Where the app runs: under the Azure Functions host (which sets <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and
/// drives every trigger), or on its own, when the embedded local runner fires timers and polls queues.
/// </summary>
public static partial class HostEnvironment
{
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static int? CustomHandlerPort =>
        int.TryParse(Environment.GetEnvironmentVariable(CustomHandlerPortVariable), out var port) ? port : null;

    public static bool UnderFunctionsHost => CustomHandlerPort is not null;

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
