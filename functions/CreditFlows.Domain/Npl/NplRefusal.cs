namespace CreditFlows.Domain.Npl;

/// <summary>Why an NPL command was refused; the API maps each kind to a status code. Nothing is written.</summary>
public sealed class NplRefusal : Exception
{
    public enum Kinds
    {
        /// <summary>Bad or missing input (400); <see cref="Field"/> names it.</summary>
        Invalid = 1,

        /// <summary>The caller may not do this: role, branch or separation of duties (403).</summary>
        NotPermitted = 2,

        /// <summary>Nothing is waiting for this command (409).</summary>
        Conflict = 3,
    }

    private NplRefusal(Kinds kind, string? field, string message)
        : base(message)
    {
        Kind = kind;
        Field = field;
    }

    public Kinds Kind { get; }

    public string? Field { get; }

    public static NplRefusal Invalid(string field, string problem) => new(Kinds.Invalid, field, problem);

    public static NplRefusal NotPermitted(string why) => new(Kinds.NotPermitted, null, why);

    public static NplRefusal Conflict(string why) => new(Kinds.Conflict, null, why);
}
