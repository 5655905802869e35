using System.Buffers;

namespace CreditFlows.Domain.Npl;

/// <summary>
/// A <see cref="PackedSnapshot"/>'s loans by id, as a <see cref="Dictionary{TKey, TValue}"/> filled from it in order would
/// have them, without a string per loan: an open-addressing table of loan indexes compared by their ids' UTF-8 bytes (the
/// codec writes ids as valid UTF-8, so two ids are the same string exactly when they are the same bytes).
/// A key is the index of the first loan with its id (where the dictionary would list it), its value the last such loan (the
/// one the dictionary would keep). Ids are unique in the job's snapshots (the extract parser refuses a repeated loan id),
/// but a repeat reads as it did through the dictionary. Its table is rented, so dispose it.
/// </summary>
internal sealed class LoanIdIndex : IDisposable
{
    private readonly PackedSnapshot _loans;
    private readonly int _mask;
    private Slot[] _slots;
    private readonly Dictionary<int, int>? _latest; // key → last loan with its id, only for ids written more than once

    public LoanIdIndex(PackedSnapshot loans)
    {
        _loans = loans;
        var size = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)loans.Count * 2)); // at most half full
        _mask = size - 1;
        _slots = ArrayPool<Slot>.Shared.Rent(size);
        _slots.AsSpan(0, size).Clear();
        for (var i = 0; i < loans.Count; i++)
        {
            var id = loans.LoanIdUtf8(i);
            var hash = Hash(id);
            var at = Find(id, hash, out var key);
            if (key < 0)
            {
                _slots[at] = new Slot(i + 1, hash);
            }
            else
            {
                (_latest ??= [])[key] = i;
            }
        }
    }

    /// <summary>The key of the loan with this id (the index of its first loan), or -1 if none has it.</summary>
    public int KeyOf(ReadOnlySpan<byte> loanIdUtf8)
    {
        Find(loanIdUtf8, Hash(loanIdUtf8), out var key);
        return key;
    }

    /// <summary>Whether loan <paramref name="index"/> is a key: the first loan with its id.</summary>
    public bool IsKey(int index) => _latest is null || KeyOf(_loans.LoanIdUtf8(index)) == index;

    /// <summary>The loan a key stands for: the last one with its id.</summary>
    public int ValueOf(int key) => _latest is not null && _latest.TryGetValue(key, out var last) ? last : key;

    public void Dispose()
    {
        if (_slots.Length > 0)
        {
            ArrayPool<Slot>.Shared.Return(_slots);
            _slots = [];
        }
    }

    private int Find(ReadOnlySpan<byte> id, int hash, out int key)
    {
        for (var at = hash & _mask; ; at = (at + 1) & _mask)
        {
            var slot = _slots[at];
            if (slot.LoanPlusOne == 0)
            {
                key = -1;
                return at;
            }

            if (slot.Hash == hash && _loans.LoanIdUtf8(slot.LoanPlusOne - 1).SequenceEqual(id))
            {
                key = slot.LoanPlusOne - 1;
                return at;
            }
        }
    }

    private static int Hash(ReadOnlySpan<byte> id)
    {
        var hash = new HashCode();
        hash.AddBytes(id);
        return hash.ToHashCode();
    }

    /// <summary>A loan's index plus one (0 is an empty slot) and its id's hash, compared before the bytes.</summary>
    private readonly record struct Slot(int LoanPlusOne, int Hash);
}
