using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Features.Applications;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Links extract loans to the loan workflow: core banking confirms a disbursement with the loan account number
/// (<c>LoanApplication.Disbursement.LoanAccountNumber</c>), and the extract's <c>loan_id</c> is that account
/// number. One query per branch shard reads the branch's disbursed applications; a loan without one falls
/// back to the extract's officer.
/// </summary>
public sealed class NplLinks(ApplicationStore applications)
{
    public async Task<Dictionary<string, LendingResponsibility>> ForBranchAsync(BranchId branch, CancellationToken cancellationToken)
    {
        var links = new Dictionary<string, LendingResponsibility>(StringComparer.Ordinal);
        string? continuation = null;
        do
        {
            var (items, next) = await applications.ListAsync(branch, ApplicationState.Disbursed, null, 1000, continuation, cancellationToken);
            foreach (var application in items)
            {
                if (application.Disbursement is { } disbursement && application.Responsibility.Count > 0)
                {
                    links[disbursement.LoanAccountNumber] = new LendingResponsibility(LendingResponsibility.FromWorkflow, application.Id,
                        application.Responsibility.Select(r => new ResponsibleShare(r.UserId, r.UserName, r.Duty.ToString(), r.SharePercent)).ToList());
                }
            }

            continuation = next;
        }
        while (continuation is not null);

        return links;
    }
}
