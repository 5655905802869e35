namespace CreditFlows.Functions.LocalRunner;

public static class LocalRunnerExtensions
{
    /// <summary>
    /// The embedded default's trigger side: fires the catalog's timers and polls its queues, unless
    /// <c>LocalRunner:Enabled</c> is false (the integration tests turn it on only where they test it).
    /// </summary>
    public static IServiceCollection AddLocalRunner(this IServiceCollection services)
    {
        services.AddOptions<LocalRunnerOptions>()
            .BindConfiguration(LocalRunnerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHostedService<LocalRunnerService>(); // Idle unless IsEnabled: decided at start, when all settings are in.

        return services;
    }

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>($"{LocalRunnerOptions.Section}:Enabled") ?? true;
}
