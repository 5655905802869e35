namespace CreditFlows.Functions.Features.Reports;

/// <summary>Settings of section <c>Reports</c> (<c>Reports__Schedule</c> …), validated at start.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>NCRONTAB schedule of <c>NplWeeklyReport</c> (UTC), referenced as <c>%Reports__Schedule%</c>: Monday 00:00 UTC = 08:00 China time.</summary>
    public string Schedule { get; set; } = "0 0 0 * * 1";

    /// <summary>Container of the archive: <c>{yyyy}-W{ww}/{scope}/…</c>.</summary>
    public string Container { get; set; } = "reports";

    /// <summary>Table of the weekly report's recipients (partition <c>weekly</c>) and of the send markers.</summary>
    public string RecipientsTable { get; set; } = "ReportRecipients";

    /// <summary>A TrueType/OpenType font file with Chinese glyphs for the chart; empty: search the system's font folders.</summary>
    public string ChartFontFile { get; set; } = string.Empty;

    /// <summary>Weeks in the NPL ratio trend.</summary>
    public int TrendWeeks { get; set; } = 12;

    /// <summary>Loans, officers and branches per list in the report (totals count all).</summary>
    public int ListLimit { get; set; } = 20;

    /// <summary>
    /// Where readers reach the app, for the download links a report mail gives when a ledger file is too large to attach
    /// (<c>Mail:MaxAttachmentBytes</c>). Empty: <c>https://</c> and App Service's <c>WEBSITE_HOSTNAME</c> in Azure, else
    /// <c>http://localhost:7071</c>.
    /// </summary>
    public string LinkBaseUrl { get; set; } = string.Empty;

    /// <summary><see cref="LinkBaseUrl"/>, or what it stands for when empty, without a trailing slash.</summary>
    public string ResolvedLinkBaseUrl() =>
        (LinkBaseUrl.Length > 0 ? LinkBaseUrl
            : Environment.GetEnvironmentVariable("WEBSITE_HOSTNAME") is { Length: > 0 } host ? "https://" + host
            : "http://localhost:7071").TrimEnd('/');

    public IEnumerable<string> Problems()
    {
        if (LinkBaseUrl.Length > 0 && !(Uri.TryCreate(LinkBaseUrl, UriKind.Absolute, out var link) && link.Scheme is "https" or "http"))
        {
            yield return "Reports:LinkBaseUrl must be an absolute http(s) URL, or empty.";
        }

        if (string.IsNullOrWhiteSpace(Schedule))
        {
            yield return "Reports:Schedule is required (an NCRONTAB expression, UTC).";
        }

        foreach (var (name, value) in new[] { (nameof(Container), Container) })
        {
            if (value is not { Length: >= 3 and <= 63 } || value.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            {
                yield return $"Reports:{name} must be a container name (3-63 lower-case letters, digits, '-').";
            }
        }

        foreach (var (name, value) in new[] { (nameof(RecipientsTable), RecipientsTable) })
        {
            if (value is not { Length: >= 1 and <= 50 } || !char.IsAsciiLetter(value[0]) || !value.All(char.IsAsciiLetterOrDigit))
            {
                yield return $"Reports:{name} must be 1-50 letters or digits, starting with a letter.";
            }
        }

        if (!string.IsNullOrEmpty(ChartFontFile) && !File.Exists(ChartFontFile))
        {
            yield return $"Reports:ChartFontFile '{ChartFontFile}' does not exist.";
        }

        if (TrendWeeks is < 2 or > 104 || ListLimit is < 1 or > 1000)
        {
            yield return "Reports:TrendWeeks must be 2-104 and Reports:ListLimit 1-1000.";
        }
    }
}
