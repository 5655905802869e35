using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.LocalRunner;

public static class LocalRunnerExtensions
{
    /// <summary>
    /// The dispatcher (always: the admin "run now" endpoint uses it), and the runner itself when no Functions
    /// host is present — or when <c>LocalRunner:Enabled</c> says otherwise.
    /// </summary>
    public static IServiceCollection AddLocalRunner(this IServiceCollection services)
    {
        services.AddOptions<LocalRunnerOptions>()
            .BindConfiguration(LocalRunnerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<FunctionDispatcher>();
        services.AddHostedService<LocalRunnerService>(); // Idle unless IsEnabled: decided at start, when all settings are in.

        return services;
    }

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>($"{LocalRunnerOptions.Section}:Enabled") ?? !HostEnvironment.UnderFunctionsHost;
}
