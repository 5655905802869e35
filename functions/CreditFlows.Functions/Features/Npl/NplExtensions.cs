using CreditFlows.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>Registration of the daily NPL monitoring: settings, storage, the three functions and the API's services.</summary>
public static class NplExtensions
{
    public static IServiceCollection AddNplMonitoring(this IServiceCollection services)
    {
        services.AddOptions<NplOptions>().BindConfiguration(NplOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NplOptions>, NplOptionsProblems>();
        services.AddSingleton<NplStorage>();
        services.AddHostedService(sp => sp.GetRequiredService<NplStorage>());
        services.AddSingleton<NplRuns>();
        services.AddSingleton<NplAlerts>();
        services.AddSingleton<NplLinks>();
        services.AddSingleton<NplOverrideStore>();
        services.AddSingleton<NplLedgerStore>();
        services.AddSingleton<NplLedgerExport>();
        services.AddSingleton<NplThresholdsSource>(); // app settings + the HQ classification settings in force on a date
        services.AddSingleton<Authority.ClassificationSettingsAdmin>();
        services.AddSingleton<NplJobMeter>();
        services.AddSingleton<NplSummaryBuilder>();
        services.AddSingleton<NplDayPreparer>();
        services.AddSingleton<NplShardWorker>();
        services.AddFunction<NplDailyMonitorFunction>(NplDailyMonitorFunction.Name);
        services.AddFunction<NplPrepareDayFunction>(NplPrepareDayFunction.Name);
        services.AddFunction<NplShardFunction>(NplShardFunction.Name);
        return services;
    }

    /// <summary>Names each bad setting in the start-up failure.</summary>
    private sealed class NplOptionsProblems : IValidateOptions<NplOptions>
    {
        public ValidateOptionsResult Validate(string? name, NplOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
