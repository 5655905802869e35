using CreditFlows.Domain.Common;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// Timer function <c>NplWeeklyReport</c> (<c>%Reports__Schedule%</c>, Monday 08:00 China time by default): archives the
/// week that ended yesterday for every active recipient's scope and queues one mail per recipient. A second firing
/// finds the reports archived and the recipients marked, and SendNotification drops a repeated message by its id.
/// </summary>
public sealed class NplWeeklyReportFunction(WeeklyReportService reports, BusinessClock clock) : ITimerFunction
{
    public const string Name = "NplWeeklyReport";

    public async Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken)
    {
        var week = ReportWeek.EndedBefore(clock.Today);
        return InvocationResult.Empty().Log(await reports.SendWeekAsync(week, cancellationToken));
    }
}

public static class ReportExtensions
{
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section)
            .Validate(o => !o.Problems().Any(), "Reports settings are invalid: see the Reports section in README.md.")
            .ValidateOnStart();
        services.AddSingleton(sp => ChartFont.Resolve(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReportOptions>>().Value.ChartFontFile));
        services.AddSingleton<ReportChart>();
        services.AddSingleton<INplHistory, TableNplHistory>();
        services.AddSingleton(sp => new WeeklyReportAssembler(sp.GetRequiredService<INplHistory>(), sp.GetRequiredService<ReportChart>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReportOptions>>().Value,
            async (day, ct) => (await sp.GetRequiredService<Npl.NplThresholdsSource>().ForDateAsync(day, ct)).Rules));
        services.AddSingleton<RecipientStore>();
        services.AddHostedService(sp => sp.GetRequiredService<RecipientStore>());
        services.AddHostedService<ChartFontStartupCheck>();
        services.AddSingleton<WeeklyReportService>();
        services.AddFunction<NplWeeklyReportFunction>(NplWeeklyReportFunction.Name);
        return services;
    }
}

/// <summary>Says at start which font the chart uses, or warns that Chinese labels will render as boxes.</summary>
public sealed partial class ChartFontStartupCheck(ChartFont font, ILogger<ChartFontStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (font.File is { } file)
        {
            LogFont(logger, file);
        }
        else
        {
            LogNoFont(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Weekly report charts use font {File}")]
    private static partial void LogFont(ILogger logger, string file);

    [LoggerMessage(LogLevel.Warning, "No font with Chinese glyphs found (set Reports__ChartFontFile, or install fonts-wqy-microhei): chart labels in Chinese will render as boxes")]
    private static partial void LogNoFont(ILogger logger);
}
