namespace CreditFlows.Domain.Npl;

/// <summary>One person responsible for lending a loan, with their share in percent.</summary>
public sealed record ResponsibleShare(string UserId, string Name, string Duty, decimal SharePercent);

/// <summary>
/// Who is responsible for having lent a loan: the workflow's responsibility record when the loan went through
/// CreditFlows (linked by the disbursement's loan account number), else the extract's officer with 100%.
/// </summary>
public sealed record LendingResponsibility(string Source, string? ApplicationId, IReadOnlyList<ResponsibleShare> People)
{
    public const string FromWorkflow = "workflow";
    public const string FromExtract = "extract";

    public static LendingResponsibility ExtractOfficer(string officerId) =>
        new(FromExtract, null, [new ResponsibleShare(officerId, officerId, "ManagingOfficer", 100m)]);

    /// <summary>Each person's part of <paramref name="balanceFen"/> by their share, rounded to the fen.</summary>
    public IEnumerable<(string UserId, long Fen)> Split(long balanceFen) =>
        People.GroupBy(p => p.UserId).Select(g => (g.Key, (long)decimal.Round(balanceFen * g.Sum(p => p.SharePercent) / 100m, 0)));
}
