namespace Tasks.Hangfire.Internal;

/// <summary>
/// Reads a list that Hangfire only pages by offset (its monitoring API) while other processes may add and remove
/// items. A removal before the cursor would shift an unread item behind it, so each page after the first starts
/// <c>overlap</c> items before the previous page's end and must contain an item already read; if none is there,
/// more than <c>overlap</c> items vanished and the reader steps back. Items come out once each (by key). A list that
/// grows before the cursor faster than it is read would never end, so the reads are capped at about twice what the
/// list's length at the start needs.
/// </summary>
internal static class ShiftTolerantPager
{
    /// <summary>Step-backs after which the reader stops checking (a list changing faster than it can be read).</summary>
    internal const int MaxStepBacks = 50;

    /// <param name="fetch">Reads <c>count</c> items from offset <c>from</c>, in the list's order, each with a unique key.</param>
    /// <param name="pageSize">Items per read.</param>
    /// <param name="overlap">Items each read repeats from the previous one; must be smaller than <paramref name="pageSize"/>.</param>
    /// <param name="length">The list's length when the reading starts.</param>
    /// <returns>The items not returned before, one batch per read.</returns>
    public static IEnumerable<IReadOnlyList<KeyValuePair<string, T>>> Pages<T>(Func<int, int, IReadOnlyList<KeyValuePair<string, T>>> fetch, int pageSize, int overlap, long length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlap, pageSize);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var offset = 0;
        var stepBacks = 0;
        var reads = 0L;
        var maxReads = (2 * ((Math.Max(length, 0) / (pageSize - overlap)) + 2)) + MaxStepBacks;
        while (reads++ < maxReads)
        {
            var page = fetch(offset, pageSize);

            // Every item already read lies before every unread one, so a page holding one of them starts early enough.
            if (offset > 0 && stepBacks < MaxStepBacks && !page.Any(p => seen.Contains(p.Key)))
            {
                stepBacks++;
                offset = Math.Max(0, offset - (pageSize - overlap));
                continue;
            }

            var fresh = page.Where(p => seen.Add(p.Key)).ToList();
            if (fresh.Count > 0)
            {
                yield return fresh;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            offset += pageSize - overlap;
        }
    }
}
