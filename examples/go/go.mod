module example.com/nhn-ocr-example

go 1.19
