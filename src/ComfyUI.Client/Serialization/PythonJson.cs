using System.Buffers;
using ComfyUI.Client.Internal;

namespace ComfyUI.Client.Serialization;

/// <summary>
/// Python's <c>json</c> module may write the bare tokens <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>, which JSON does not allow.
/// <see cref="QuoteLiterals"/> turns them into the named literals <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (which the
/// source-generated context reads as numbers where numbers are expected); strings are left untouched.
/// </summary>
internal static class PythonJson
{
    // Outside strings only these matter: a string opens, a minus may start -Infinity, N/I start NaN/Infinity (JSON's own words are lowercase).
    private static readonly SearchValues<byte> OutsideSpecials = SearchValues.Create("\"-NI"u8);
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\"u8);

    /// <summary>Writes <paramref name="input"/> to <paramref name="output"/> with the bare Python literals quoted.</summary>
    /// <param name="input">A whole JSON body.</param>
    /// <param name="output">Where the result goes; runs of ordinary bytes are found vectorized and copied whole.</param>
    public static void QuoteLiterals(ReadOnlySpan<byte> input, PooledBuffer output)
    {
        var i = 0;
        while (i < input.Length)
        {
            var rest = input[i..];
            var next = rest.IndexOfAny(OutsideSpecials);
            if (next < 0)
            {
                output.Append(rest);
                return;
            }

            output.Append(rest[..next]);
            i += next;
            switch (input[i])
            {
                case (byte)'"':
                    // Copy the whole string, escapes included.
                    var end = i + 1;
                    while (end < input.Length)
                    {
                        var special = input[end..].IndexOfAny(StringSpecials);
                        if (special < 0)
                        {
                            end = input.Length;
                            break;
                        }

                        end += special + 1;
                        if (input[end - 1] == '"')
                        {
                            break;
                        }

                        end++; // the escaped byte
                    }

                    end = Math.Min(end, input.Length);
                    output.Append(input[i..end]);
                    i = end;
                    break;
                case (byte)'-' when i + 1 < input.Length && input[i + 1] == 'I':
                    i = AppendQuotedWord(input, i, output);
                    break;
                case (byte)'-':
                    output.Append(input.Slice(i, 1));
                    i++;
                    break;
                default:
                    // N or I: NaN or Infinity.
                    i = AppendQuotedWord(input, i, output);
                    break;
            }
        }
    }

    /// <summary>Quotes the word starting at <paramref name="start"/> (an optional minus, then letters); returns where it ends.</summary>
    private static int AppendQuotedWord(ReadOnlySpan<byte> input, int start, PooledBuffer output)
    {
        var end = input[start] == '-' ? start + 1 : start;
        while (end < input.Length && input[end] is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z'))
        {
            end++;
        }

        output.Append("\""u8);
        output.Append(input[start..end]);
        output.Append("\""u8);
        return end;
    }
}
