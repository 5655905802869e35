using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.LocalRunner;

public static class LocalRunnerExtensions
{
    /// <summary>
    /// The dispatcher (always: the admin "run now" endpoint uses it), and the runner itself when no Functions
    /// host is present — or when <c>LocalRunner:Enabled</c> says otherwise.
    /// </summary>
    public static IServiceCollection AddLocalRunner(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LocalRunnerOptions>()
            .Bind(configuration.GetSection(LocalRunnerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<FunctionDispatcher>();
        if (IsEnabled(configuration))
        {
            services.AddHostedService<LocalRunnerService>();
        }

        return services;
    }

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>($"{LocalRunnerOptions.Section}:Enabled") ?? !HostEnvironment.UnderFunctionsHost;
}
