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

    /// <summary>The core banking system's service identity: confirms disbursements.</summary>
    CoreBanking = 10,
}

public static class Roles
{
    /// <summary>
    /// Roles whose work covers every branch wherever the person's account sits: the county union's
    /// headquarters roles, internal audit, which reads everything (and changes nothing), and the core
    /// banking system, which books every branch's loans.
    /// </summary>
    public static readonly IReadOnlySet<Role> AllBranches = new HashSet<Role>
    {
        Role.HqCreditDept, Role.CommitteeMember, Role.CommitteeChair, Role.HqAdmin, Role.Auditor, Role.CoreBanking,
    };

    /// <summary>Exactly one role name, any case; numbers and comma lists are not roles.</summary>
    public static bool TryParse(string? value, out Role role)
    {
        var name = Enum.GetNames<Role>().FirstOrDefault(n => n.Equals(value?.Trim(), StringComparison.OrdinalIgnoreCase));
        role = name is null ? default : Enum.Parse<Role>(name);
        return name is not null;
    }
}
