namespace Tasks.Core.Tests;

/// <summary><see cref="TaskIds"/>: bulk-enqueue ids keep the format of <c>Guid.CreateVersion7()</c>.</summary>
public sealed class TaskIdsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000)]
    public void Ids_are_distinct_version_7_guids_of_now(int expected)
    {
        var ids = new TaskIds(expected);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var all = Enumerable.Range(0, 1_000).Select(_ => ids.Next()).ToList();

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(all.Count, all.Distinct().Count());
        foreach (var id in all)
        {
            var guid = Guid.Parse(id);
            Assert.Equal(guid.ToString(), id);
            Assert.Equal(7, guid.Version);
            Assert.Equal(0b10, (int)guid.Variant >> 2);
            var ms = long.Parse(id.Replace("-", string.Empty, StringComparison.Ordinal)[..12], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(ms, before, after);
        }
    }

    [Fact]
    public void Bulk_and_single_ids_share_the_text_format()
    {
        var single = Guid.CreateVersion7().ToString();

        var bulk = new TaskIds(1).Next();

        Assert.Equal(single.Length, bulk.Length);
        Assert.Equal(single[14], bulk[14]); // the version digit
    }
}
