using System.Numerics;
using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Tests.Validation;

/// <summary>
/// The Python the server's messages are made of, checked against CPython 3.13 itself: Fixtures/validation/python_vectors.json is
/// what the server's Python answers for int(), float(), repr(), str() and bool() (written by make_python_vectors.py beside it).
/// </summary>
public sealed class PythonSemanticsTests
{
    private static readonly Lazy<PyDict> Vectors = new(() =>
        (PyDict)PyJson.Parse(File.ReadAllText(Path.Combine(Fixture.Directory, "validation", "python_vectors.json"))));

    public static TheoryData<int> TextIndexes => new(Enumerable.Range(0, ((PyList)Vectors.Value["texts"]).Count));

    public static TheoryData<int> FloatIndexes => new(Enumerable.Range(0, ((PyList)Vectors.Value["floats"]).Count));

    public static TheoryData<int> IntIndexes => new(Enumerable.Range(0, ((PyList)Vectors.Value["ints"]).Count));

    [Theory]
    [MemberData(nameof(TextIndexes))]
    public void Text_converts_and_prints_as_in_CPython(int index)
    {
        var vector = (PyDict)((PyList)Vectors.Value["texts"])[index];
        var text = (PyStr)vector["input"];

        Assert.Equal(vector["repr"].Str(), text.Repr());
        Assert.Equal(((PyBool)vector["bool"]).Value, text.IsTruthy);
        AssertOutcome((PyDict)vector["int"], () => PyConvert.ToInt(text));
        AssertOutcome((PyDict)vector["float"], () => PyConvert.ToFloat(text));
    }

    [Theory]
    [MemberData(nameof(FloatIndexes))]
    public void Float_prints_and_truncates_as_in_CPython(int index)
    {
        var vector = (PyDict)((PyList)Vectors.Value["floats"])[index];
        var value = vector["input"] switch
        {
            PyFloat f => f,
            PyInt i => new PyFloat((double)i.Value),
            var repr => new PyFloat(repr.Str() == "inf" ? double.PositiveInfinity : double.NegativeInfinity),
        };

        Assert.Equal(vector["repr"].Str(), value.Repr());
        Assert.Equal(vector["str"].Str(), value.Str());
        AssertOutcome((PyDict)vector["int"], () => PyConvert.ToInt(value));
    }

    [Theory]
    [MemberData(nameof(IntIndexes))]
    public void Big_integers_convert_to_float_as_in_CPython(int index)
    {
        var vector = (PyDict)((PyList)Vectors.Value["ints"])[index];
        var value = new PyInt(BigInteger.Parse(vector["input"].Str(), System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(vector["repr"].Str(), value.Repr());
        AssertOutcome((PyDict)vector["float"], () => PyConvert.ToFloat(value));
    }

    [Fact]
    public void Values_compare_as_in_Python()
    {
        var seedMax = new PyInt(BigInteger.Parse("18446744073709551615", System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(PyCompare.Greater(seedMax, new PyFloat(1.8e19)));
        Assert.False(PyCompare.Less(new PyInt(9007199254740993), new PyFloat(9007199254740992.0)));
        Assert.True(PyCompare.Greater(new PyInt(9007199254740993), new PyFloat(9007199254740992.0)));
        Assert.False(PyCompare.Less(new PyFloat(double.NaN), new PyInt(0)));
        Assert.False(PyCompare.Greater(new PyFloat(double.NaN), new PyInt(0)));
        Assert.True(PyCompare.Less(PyBool.False, new PyFloat(0.5)));
        Assert.True(new PyInt(1).PyEquals(PyBool.True));
        Assert.True(new PyFloat(1.0).PyEquals(new PyInt(1)));
        Assert.True(PyCompare.Less(new PyStr("a"), new PyStr("b")));
        var error = Assert.Throws<PyException>(() => PyCompare.Less(new PyStr("5"), new PyInt(1)));
        Assert.Equal(("TypeError", "'<' not supported between instances of 'str' and 'int'"), (error.TypeName, error.Message));
        error = Assert.Throws<PyException>(() => PyCompare.Greater(PyNone.Instance, new PyInt(1)));
        Assert.Equal("'>' not supported between instances of 'NoneType' and 'int'", error.Message);
    }

    [Fact]
    public void Json_is_read_and_written_as_the_server_does()
    {
        var value = PyJson.Parse("""{"a": 1, "b": 1.0, "c": [NaN, Infinity, -Infinity, 1e400, 18446744073709551616], "a": "last", "d": "é\u0001\"\\/"}""");

        // A repeated key keeps its first place and its last value; non-ASCII is escaped; floats print as Python repr.
        Assert.Equal("""{"a": "last", "b": 1.0, "c": [NaN, Infinity, -Infinity, Infinity, 18446744073709551616], "d": "\u00e9\u0001\"\\/"}""", PyJson.Dump(value));
        Assert.Equal("""{"a": "last", "b": 1.0, "c": ["NaN", "Infinity", "-Infinity", "Infinity", 18446744073709551616], "d": "\u00e9\u0001\"\\/"}""", PyJson.Dump(value, quoteLiterals: true));
        Assert.Equal("{'a': 'last', 'b': 1.0, 'c': [nan, inf, -inf, inf, 18446744073709551616], 'd': 'é\\x01\"\\\\/'}", value.Repr());
        Assert.Throws<FormatException>(() => PyJson.Parse("{\"a\": 1} x"));
        Assert.Throws<FormatException>(() => PyJson.Parse("{\"a\": \"tab\there\"}"));
    }

    private static void AssertOutcome(PyDict expected, Func<PyValue> convert)
    {
        if (expected.Get("error") is { } errorType)
        {
            var error = Assert.Throws<PyException>(convert);
            Assert.Equal((errorType.Str(), expected["message"].Str()), (error.TypeName, error.Message));
        }
        else
        {
            var value = convert();
            Assert.Equal((expected["type"].Str(), expected["value"].Str()), (value.TypeName, value.Repr()));
        }
    }
}
