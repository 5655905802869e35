using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Identity;

/// <summary>The roles of DOMAIN.md. Values are explicit and serialised by name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Role>))]
public enum Role
{
    LoanOfficer = 1,
    Reviewer = 2,
    BranchDirector = 3,
    HqCreditDept = 4,
    CommitteeMember = 5,
    CommitteeChair = 6,
    HqAdmin = 7,
    RiskManager = 8,
    Auditor = 9,
}

public static class Roles
{
    /// <summary>Roles that belong to the county union's headquarters and so act on every branch.</summary>
    public static readonly IReadOnlySet<Role> HeadquartersOnly = new HashSet<Role>
    {
        Role.HqCreditDept, Role.CommitteeMember, Role.CommitteeChair, Role.HqAdmin,
    };

    public static bool TryParse(string? value, out Role role) =>
        Enum.TryParse(value, ignoreCase: true, out role) && Enum.IsDefined(role);
}
