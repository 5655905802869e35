namespace CreditFlows.Domain.Identity;

/// <summary>
/// Who is acting: a stable user id, a display name, the roles held and the branch the person belongs to.
/// People at headquarters (branch <see cref="BranchId.Headquarters"/>) or holding a role of
/// <see cref="Identity.Roles.AllBranches"/> act on every branch; everyone else acts on their own branch only.
/// </summary>
public sealed record CreditUser(string Id, string Name, IReadOnlySet<Role> Roles, BranchId Branch)
{
    public bool IsInRole(Role role) => Roles.Contains(role);

    public bool SeesAllBranches => Branch.IsHeadquarters || Roles.Overlaps(Identity.Roles.AllBranches);

    public bool CanAccess(BranchId branch) => SeesAllBranches || branch == Branch;
}
